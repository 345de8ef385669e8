from accounts.roles import Role, has_admin_work, roles_of


def roles(request) -> dict:
    user_roles = roles_of(getattr(request, "user", None))
    return {
        "user_roles": user_roles,
        "is_legislator": Role.LEGISLATOR in user_roles,
        "is_inspector": Role.INSPECTOR in user_roles or Role.ADMINISTRATOR in user_roles,
        "is_moderator": Role.LEGISLATOR in user_roles or Role.ADMINISTRATOR in user_roles,
        # Evaluated only where a template asks (the header's staff-admin link).
        "has_admin_work": lambda: has_admin_work(getattr(request, "user", None)),
    }
