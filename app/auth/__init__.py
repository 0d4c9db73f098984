"""Accounts, roles, sessions, API tokens and the permission table every route checks against."""
