"""The written exercise: the candidate's locked kiosk and the assessors' marking."""
