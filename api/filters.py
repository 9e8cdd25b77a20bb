"""The drill-down list's filters for the API: dashboards.filters.ItemFilterSet as it is (its
fields, its validation, its query through dashboards.selectors.items_for_dashboard), less
the dressing of its form for the page (widgets, the options of every select), which an API
never renders and which costs more than the list's own query at national scale."""

from django_filters.filterset import BaseFilterSet

from dashboards.filters import ItemFilterSet


class ApiItemFilterSet(ItemFilterSet):
    @property
    def form(self):
        return BaseFilterSet.form.fget(self)
