"""Tiny .pth fixtures for tests/models/weights.test.ts (run with /usr/bin/python3; committed output).

    /usr/bin/python3 scripts/torch/make_pth_fixtures.py tests/models/fixtures

- tiny.pth: a torch.save'd state_dict (OrderedDict of float32 tensors, one of them a
  non-contiguous view, plus an int64 num_batches_tracked) and tiny.json with the same values.
- evil.pth: a valid-looking checkpoint whose pickle calls os.system (posix.system on Linux) to
  create a marker file when unpickled by Python's pickle. The studio must refuse it unrun.
"""
import json
import os
import sys
from collections import OrderedDict
from pathlib import Path

import torch

MARKER = "/tmp/studio-evil-pth-ran"


class Evil:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    base = torch.randn(3, 4, generator=g)
    sd = OrderedDict(
        [
            ("conv.weight", torch.randn(2, 3, 3, 3, generator=g)),
            ("fc.weight", base.t()),  # non-contiguous: strides (1, 4)
            ("bn.running_var", torch.rand(5, generator=g).double()),
            ("bn.num_batches_tracked", torch.tensor(7)),
        ]
    )
    torch.save(sd, out / "tiny.pth")
    (out / "tiny.json").write_text(
        json.dumps({k: {"shape": list(v.shape), "data": v.contiguous().flatten().tolist()} for k, v in sd.items()})
    )
    torch.save(OrderedDict([("conv.weight", torch.zeros(1)), ("payload", Evil())]), out / "evil.pth")


if __name__ == "__main__":
    main()
