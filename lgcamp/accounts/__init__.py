"""People, sign-up, login, password reset, roles."""
