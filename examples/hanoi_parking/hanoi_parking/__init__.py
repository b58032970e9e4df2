"""Hanoi parking: an example mini-app plugin for the Hanoi super-app."""
