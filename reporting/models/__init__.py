from .exports import ExportJob, ExportKind, ExportState
from .snapshots import MonthlySnapshot

__all__ = ["ExportJob", "ExportKind", "ExportState", "MonthlySnapshot"]
