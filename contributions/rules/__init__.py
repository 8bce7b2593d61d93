"""Pure calculations: no database, no clock, no framework.  Dates, rates and policies come in as arguments."""
