from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.thread_list, name="threads"),
    path("messages/<int:pk>/", views.thread_detail, name="thread"),
    path("messages/<int:pk>/faq/", views.publish_faq, name="publish_faq"),
    path("faq/", views.faq, name="faq"),
    path("news/", views.news_list, name="news"),
    path("news/attachments/<int:pk>/", views.attachment, name="attachment"),
]
