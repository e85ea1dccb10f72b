"""Predictive lead scoring: logistic regression over a lead's attributes and behaviour, trained on won/lost history."""
