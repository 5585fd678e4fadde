"""Channel fund pages: materials — to be built."""

from django.http import Http404


def _todo(request, pk=None):
    raise Http404


material_count_page = _todo
material_create_page = _todo
material_issue_page = _todo
material_list_page = _todo
py = _todo
