from django.urls import path

from portal.inquiries import feeds, views

# Inside i18n_patterns (portal/urls.py): /en/contact/, /zh-hans/contact/, …
urlpatterns = [
    path("contact/", views.inquiry_form, name="inquiry"),
    path("contact/sent/<str:token>/", views.inquiry_sent, name="inquiry_sent"),
    # Beside the news feeds (news/feeds.py): /en/feeds/questions.rss
    path("feeds/questions.rss", feeds.QuestionFeed(), name="question_feed_rss"),
    path("feeds/questions.atom", feeds.QuestionAtomFeed(), name="question_feed_atom"),
]
