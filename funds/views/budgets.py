"""Channel fund pages: budgets — to be built."""

from django.http import Http404


def _todo(request, pk=None):
    raise Http404


budget_create_page = _todo
budget_edit_page = _todo
budget_import_page = _todo
budget_list_page = _todo
py = _todo
summary_page = _todo
