from django.conf import settings

from channelhub.accounts.selectors import display_name
from channelhub.formatting import currency_symbol
from channelhub.navigation import nav_items
from channelhub.notifications.selectors import unread_count
from channelhub.roles import Role, primary_role


def channelhub(request) -> dict:
    """What ``base.html`` needs on every page: navigation, the user's role and name, the currency, and the
    unread count of the notification bell (one ``COUNT`` query, for logged-in users only)."""
    user = getattr(request, "user", None)
    context = {
        "CURRENCY": settings.CURRENCY,
        "CURRENCY_SYMBOL": currency_symbol(),
        "nav_items": [],
        "user_menu_items": [],
        "user_role": None,
        "user_display_name": "",
        "unread_notifications": 0,
    }
    if user is not None and user.is_authenticated:
        role = primary_role(user)
        items = nav_items(user, request.path)
        context.update(
            nav_items=[item for item in items if not item["user_menu"]],
            user_menu_items=[item for item in items if item["user_menu"]],
            user_role=Role(role).label if role else None,
            user_display_name=display_name(user),
            unread_notifications=unread_count(user),
        )
    return context
