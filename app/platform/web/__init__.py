"""The web edge shared by every domain: one unit of work per request, input fields, exports,
pagination, navigation, the API conventions, the input sanitation step.
"""
