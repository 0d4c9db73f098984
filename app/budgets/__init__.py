"""Budgets: ledger, drawdowns, payments, expenses, proof of use, final decision, reclaim."""
