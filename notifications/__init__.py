"""Notification hub: one inbox and push for every module and mini-app."""
