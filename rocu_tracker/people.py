"""How a person is named on every page, export, email and history entry."""


def display_name(user, *, nobody: str = "") -> str:
    """A user's full name, else their username; `nobody` when there is no user."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()
