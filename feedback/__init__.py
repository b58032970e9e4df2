"""Citizen feedback: reports routed to agencies, moderated, handled against deadlines, rated."""
