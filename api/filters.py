"""The drill-down list's filters for the API: dashboards.filters.ItemFilterSet as it is (its
fields, its validation, its query through dashboards.selectors.items_for_dashboard), less
the dressing of its form for the page (widgets, the options of every select), which an API
never renders and which costs more than the list's own query at national scale."""

from django_filters.filterset import BaseFilterSet

from dashboards import selectors
from dashboards.filters import ItemFilterSet


class ApiItemFilterSet(ItemFilterSet):
    @property
    def form(self):
        return BaseFilterSet.form.fget(self)

    def filter_queryset(self, queryset):
        # The list reads rows and works each one's RAG out itself (api.serializers).
        return selectors.items_for_dashboard(
            user=self.request.user, filters=self.form.cleaned_data, today=self.today, rag=False
        )
