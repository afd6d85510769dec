"""Checks for the exercises of chapter 5 (the paper's section 5: related work)."""
