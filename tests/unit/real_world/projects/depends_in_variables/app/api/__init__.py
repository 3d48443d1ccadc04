from app.providers import BoardSession, CurrentSettings, Paging

__all__ = ["BoardSession", "CurrentSettings", "Paging"]
