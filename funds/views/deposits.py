"""Channel fund pages: deposits — to be built."""

from django.http import Http404


def _todo(request, pk=None):
    raise Http404


deposit_deduct_page = _todo
deposit_detail_page = _todo
deposit_list_page = _todo
deposit_refund_decide_page = _todo
deposit_refund_page = _todo
py = _todo
