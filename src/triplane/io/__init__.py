"""Files in and out: activity files (FIT/GPX/TCX), calendars (ICS), watch workouts (FIT).

Each module here turns bytes into plain Python values (or values into bytes). None of them
touches the database: the service layer decides what to store.
"""
