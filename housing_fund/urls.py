from django.urls import path

from housing_fund.views import citizen, imports, officer

app_name = "housing_fund"
urlpatterns = [
    # Citizens
    path("", citizen.my_loans, name="my_loans"),
    path("link/", citizen.link, name="link"),
    path("loans/<uuid:pk>/", citizen.loan, name="my_loan"),
    path("loans/<uuid:pk>/schedule/", citizen.schedule, name="my_schedule"),
    path("loans/<uuid:pk>/pay/", citizen.pay, name="pay"),
    path("loans/<uuid:pk>/statement/", citizen.statement, name="statement"),
    path("statements/<uuid:pk>.pdf", citizen.statement_pdf, name="statement_pdf"),
    # Fund officers and heads
    path("portfolio/", officer.portfolio, name="portfolio"),
    path("portfolio/<uuid:pk>/", officer.loan, name="loan"),
    path("portfolio/<uuid:pk>/reschedule/", officer.reschedule, name="reschedule"),
    path("reschedules/<int:pk>/decide/", officer.reschedule_decide, name="reschedule_decide"),
    path("arrears/", officer.arrears, name="arrears"),
    # Legacy imports
    path("imports/", imports.imports, name="imports"),
    path("imports/new/", imports.import_new, name="import_new"),
    path("imports/<uuid:pk>/", imports.import_detail, name="import_detail"),
]
