"""Ceiling applications of the Kommunen: revisions, review, grant decisions, amendments, participant counts."""
