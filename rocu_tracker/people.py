"""How a person is named on every page, export, email and history entry."""


def display_name(user, *, nobody: str = "") -> str:
    """A user's full name, else their username; `nobody` when there is no user."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()


def display_name_of(*, first_name: str, last_name: str, username: str) -> str:
    """display_name from a row's columns rather than a user object (lists read rows as value
    tuples): the full name as User.get_full_name words it, else the username."""
    return f"{first_name} {last_name}".strip() or username
