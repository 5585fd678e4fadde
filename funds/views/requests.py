"""Channel fund pages: requests — to be built."""

from django.http import Http404


def _todo(request, pk=None):
    raise Http404


approvals_page = _todo
claim_check_page = _todo
claim_create_page = _todo
claim_evidence_page = _todo
claim_settle_page = _todo
py = _todo
request_approve_page = _todo
request_cancel_page = _todo
request_create_page = _todo
request_detail_page = _todo
request_edit_page = _todo
request_list_page = _todo
request_reject_page = _todo
request_submit_page = _todo
