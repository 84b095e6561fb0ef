"""The event-log loader against the TypeScript rules (packages/trainer/src/data/event-log.ts and
packages/trainer/test/data.test.ts); test/e2e/pytorch-shop.test.ts compares both loaders on a
simulated log. Run from trainers/pytorch: ``python3 -m unittest -v tests.test_data``.
"""

import unittest

from localrec_torch.data import LogRules, parse_event_log, parse_timestamp


def rows(*lines):
    return "\n".join(lines) + "\n"


class TimestampTest(unittest.TestCase):
    def test_seconds_milliseconds_and_iso_dates(self):
        self.assertEqual(parse_timestamp(1_700_000_000), 1_700_000_000_000)
        self.assertEqual(parse_timestamp(1_700_000_000_123), 1_700_000_000_123)
        self.assertEqual(parse_timestamp("1700000000"), 1_700_000_000_000)
        self.assertEqual(parse_timestamp("2026-01-02T03:04:05Z"), 1767323045000)
        self.assertEqual(parse_timestamp("2026-01-02"), 1767312000000)
        for bad in ["", "soon", -1, float("nan"), True, None]:
            self.assertIsNone(parse_timestamp(bad), bad)


class EventLogTest(unittest.TestCase):
    def test_orders_by_time_dedupes_collapses_and_weights(self):
        log = rows(
            "user,item,ts,type",
            "u1,B,20,view",
            "u1,A,10,view",
            "u1,A,10,view",  # exact duplicate
            "u1,A,15,purchase",  # collapses into the A step, weight 5
            "u1,C,30,click",
            "u2,A,1,view", "u2,B,2,view", "u2,C,3,view",
            "u3,C,1,view", "u3,B,2,add_to_cart", "u3,A,3,view",
        )  # fmt: skip
        ds = parse_event_log(log, "csv")
        self.assertEqual(ds.user_ids, ["u1", "u2", "u3"])
        self.assertEqual(ds.item_ids, ["A", "B", "C"])
        self.assertEqual(ds.sequences, [[1, 2, 3], [1, 2, 3], [3, 2, 1]])
        self.assertEqual(ds.weights[0], [5.0, 1.0, 1.5])
        self.assertEqual(ds.weights[2], [1.0, 3.0, 1.0])
        self.assertEqual(ds.bad_rows, [])

    def test_bad_rows_are_reported_with_their_line_and_ignored_types_are_not(self):
        log = rows(
            '{"user":"u1","item":"A","ts":1,"type":"view"}',
            "not json",
            '{"user":"u1","item":"B","ts":2,"type":"teleport"}',
            '{"user":"u1","item":"B","ts":3,"type":"impression"}',
            '{"user":"u1","ts":4,"type":"view"}',
            '{"user":"u1","item":"C","ts":"later","type":"view"}',
            "[1,2]",
        )
        ds = parse_event_log(log, "jsonl", LogRules(min_user_count=1, min_item_count=1))
        self.assertEqual([line for line, _ in ds.bad_rows], [2, 3, 5, 6, 7])
        self.assertIn("teleport", ds.bad_rows[1][1])
        self.assertIn("accepted", ds.bad_rows[1][1])
        self.assertEqual(ds.sequences, [[1]])

    def test_k_core_repeats_until_both_minimums_hold(self):
        # Item D is seen twice (dropped with min 3); u3 then has 2 interactions left (dropped), which
        # leaves C with 2 (dropped), and so on, as the TypeScript loop.
        lines = ["user,item,ts"]
        for u, items in {"u1": "ABC", "u2": "ABC", "u3": "ACD", "u4": "ABD"}.items():
            lines += [f"{u},{it},{i}" for i, it in enumerate(items)]
        ds = parse_event_log(rows(*lines), "csv")  # no type column: every row is a view
        self.assertEqual(ds.sequences, [])
        ds2 = parse_event_log(rows(*lines), "csv", LogRules(min_user_count=2, min_item_count=3))
        self.assertEqual(ds2.item_ids, ["A", "B", "C"])
        self.assertEqual(ds2.user_ids, ["u1", "u2", "u3", "u4"])

    def test_unknown_format_is_refused_naming_the_accepted_ones(self):
        with self.assertRaisesRegex(ValueError, "accepted: csv, jsonl"):
            parse_event_log("", "xml")


if __name__ == "__main__":
    unittest.main()
