import pytest
from django.core.exceptions import ValidationError

from partners.models import Dealer, Territory
from partners.search import apply_search
from partners.services import dealers as dealer_services
from partners.services.territories import territory_create, territory_update
from tests.partners.world import make_dealer


@pytest.fixture
def huafeng(covered, manager, rep):
    return make_dealer(manager, covered["SH-SH"], rep, "SH001", name="上海华丰贸易", legal_name="上海华丰贸易有限公司")


@pytest.mark.parametrize(
    "q", ["shhf", "SHHF", "shanghai", "huafeng", "华丰", "sh001", "有限公司", "shhfmyyxgs", "hua feng"]
)
def test_search_finds_by_code_name_legal_name_pinyin_and_initials(huafeng, covered, manager, rep, q):
    make_dealer(manager, covered["JS-NJ"], rep, "NJ001", name="南京东升电器")
    assert list(apply_search(Dealer.objects.all(), q)) == [huafeng]


def test_search_text_follows_a_name_change(huafeng, manager):
    dealer_services.dealer_update(actor=manager, dealer=huafeng, name="杭州新光", legal_name="杭州新光电器有限公司")
    assert not apply_search(Dealer.objects.all(), "shhf").exists()
    assert list(apply_search(Dealer.objects.all(), "hzxg")) == [huafeng]


def test_search_with_no_match_is_empty(huafeng):
    assert not apply_search(Dealer.objects.all(), "zzzz").exists()


def test_paths_follow_the_tree(tree):
    assert tree["SH-PD"].path == "/CN/EAST/SH/SH-SH/SH-PD/"
    assert tree["SH-PD"].level == Territory.Level.DISTRICT
    assert tree["SH-PD"].ancestor_paths() == [
        "/CN/",
        "/CN/EAST/",
        "/CN/EAST/SH/",
        "/CN/EAST/SH/SH-SH/",
        "/CN/EAST/SH/SH-SH/SH-PD/",
    ]


def test_subtree_is_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = set(Territory.objects.filter(path__startswith=tree["EAST"].path).values_list("code", flat=True))
    assert codes == {"EAST", "SH", "JS", "SH-SH", "SH-PD", "JS-NJ"}


def test_moving_a_territory_moves_its_subtree(tree):
    territory_update(territory=tree["SH"], parent=tree["SOUTH"])
    assert Territory.objects.get(code="SH-PD").path == "/CN/SOUTH/SH/SH-SH/SH-PD/"
    assert Territory.objects.get(code="JS-NJ").path == "/CN/EAST/JS/JS-NJ/"


def test_recoding_a_territory_rewrites_descendant_paths(tree):
    territory_update(territory=tree["SH"], code="SHA")
    assert Territory.objects.get(code="SH-PD").path == "/CN/EAST/SHA/SH-SH/SH-PD/"


def test_a_territory_cannot_move_below_itself(tree):
    with pytest.raises(ValidationError):
        territory_update(territory=tree["EAST"], parent=tree["SH-PD"])


def test_levels_follow_the_parent(tree):
    with pytest.raises(ValidationError):
        territory_create(code="XX", name="x", parent=tree["EAST"], level=Territory.Level.CITY)
    with pytest.raises(ValidationError):
        territory_create(code="YY", name="y", parent=tree["SH-PD"])
    with pytest.raises(ValidationError):
        territory_create(code="A/B", name="slash")
