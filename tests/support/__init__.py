"""Helpers the tests share: throw-away databases, an open alliance, the app under AppTest."""
