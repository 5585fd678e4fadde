"""Channel fund pages — to be built (see the pages helper)."""

from django.http import Http404


def _missing(request, pk=None):
    raise Http404


request_list_page = request_detail_page = approvals_page = deposit_list_page = deposit_detail_page = _missing
