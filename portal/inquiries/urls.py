from django.urls import path

from portal.inquiries import views

# Inside i18n_patterns (portal/urls.py): /en/contact/, /zh-hans/contact/, …
urlpatterns = [
    path("contact/", views.inquiry_form, name="inquiry"),
    path("contact/sent/<str:token>/", views.inquiry_sent, name="inquiry_sent"),
]
