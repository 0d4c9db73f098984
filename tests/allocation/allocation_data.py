"""Constants shared by the allocation tests (imported by the conftest and the test modules)."""

from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[2] / "app" / "reference" / "data" / "nrw_gemeinden.csv"
DATASET_NAME = "Destatis GV-ISys 31.12.2019"
POOL = 4_500_000_000
