"""The abnormal-behaviour rules (localrec_torch/abnormal.py, as packages/insights/src/abnormal.ts);
test/e2e/pytorch-shop.test.ts compares the loaders on a log with scripted bursts, repeats, crawls,
metronomes and future timestamps. Run from trainers/pytorch: ``python3 -m unittest -v tests.test_abnormal``.
"""

import unittest

from localrec_torch.abnormal import AbnormalRules, Event, detect_abnormal
from localrec_torch.data import LogRules, parse_event_log

T0 = 1_704_000_000_000


def evs(spec):
    return [Event(i, ts, t, item, q) for i, (ts, t, item, q) in enumerate(spec)]


class RulesTest(unittest.TestCase):
    def test_burst_flags_every_event_of_the_window(self):
        flags = detect_abnormal(evs([(T0 + i * 100, "view", f"I{i}", None) for i in range(9)]), AbnormalRules(now=T0))
        self.assertEqual(sorted(flags), list(range(9)))
        self.assertTrue(all(f == ["burst"] for f in flags.values()))
        self.assertEqual(detect_abnormal(evs([(T0 + i * 130, "view", f"I{i}", None) for i in range(8)]), AbnormalRules(now=T0)), {})

    def test_repeat_keeps_the_first(self):
        flags = detect_abnormal(evs([(T0 + i * 2000, "search", None, "kettle") for i in range(6)]), AbnormalRules(now=T0))
        self.assertEqual(sorted(flags), [1, 2, 3, 4, 5])
        other = evs([(T0 + i * 2000, "search", None, f"q{i % 2}") for i in range(6)])
        self.assertEqual(detect_abnormal(other, AbnormalRules(now=T0)), {})

    def test_metronome_crawl_and_future(self):
        tick = evs([(T0 + i * 20_000, "view", f"I{i % 3}", None) for i in range(12)])
        self.assertEqual(set(sum(detect_abnormal(tick, AbnormalRules(now=T0 + 10**9)).values(), [])), {"metronome"})
        crawl = evs([(T0 + i * 1200 + (i % 3) * 100, "view", f"I{i}", None) for i in range(30)])
        self.assertIn("crawl", sum(detect_abnormal(crawl, AbnormalRules(now=T0 + 10**9)).values(), []))
        self.assertEqual(detect_abnormal(evs([(T0 + 10 * 60_000, "view", "I", None)]), AbnormalRules(now=T0)), {0: ["future"]})
        self.assertEqual(detect_abnormal(evs([(T0 + 4 * 60_000, "view", "I", None)]), AbnormalRules(now=T0)), {})

    def test_impressions_are_ignored_and_rules_can_be_switched_off(self):
        self.assertEqual(detect_abnormal(evs([(T0, "impression", None, None)] * 20), AbnormalRules(now=T0)), {})
        burst = evs([(T0 + i, "view", f"I{i}", None) for i in range(20)])
        self.assertEqual(detect_abnormal(burst, AbnormalRules(burst=False, metronome=False, now=T0)), {})


class LoaderTest(unittest.TestCase):
    def test_the_loader_leaves_flagged_rows_out_counting_zero_weight_rows(self):
        lines = ["user,item,ts,type"]
        for u in ("u1", "u2", "u3"):
            lines += [f"{u},A,{T0 + 0},view", f"{u},B,{T0 + 60_000},view", f"{u},C,{T0 + 120_000},view"]
        # u4: 3 views and, in the same second, 6 searches (weight 0, but events): a burst of 9.
        lines += [f"u4,A,{T0 + 0},view", f"u4,B,{T0 + 100},view", f"u4,C,{T0 + 200},view"]
        lines += [f"u4,,{T0 + 300 + i},search" for i in range(6)]
        text = "\n".join(lines) + "\n"
        ds = parse_event_log(text, "csv")
        self.assertEqual(ds.user_ids, ["u1", "u2", "u3"])
        self.assertEqual(ds.abnormal["burst"], 9)
        kept = parse_event_log(text, "csv", LogRules(abnormal=None))
        self.assertEqual(kept.user_ids, ["u1", "u2", "u3", "u4"])


if __name__ == "__main__":
    unittest.main()
