"""LocalRec reference PyTorch trainer and exporter.

Trains SASRec with torch.distributed DistributedDataParallel (gloo on CPU, nccl on GPUs) and writes
the same LocalRec bundle as the TypeScript trainer (packages/trainer): see ../README.md and
packages/model/README.md ("The computation" is what :class:`localrec_torch.model.SasRec` computes).
"""

__all__ = ["data", "model", "bundle", "evaluate", "train", "convert"]
