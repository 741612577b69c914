from django.urls import path

from messengers import console_views, views
from messengers.demo_peer import views as demo_views

app_name = "messengers"

urlpatterns = [
    path("telegram/<int:bot_id>/", views.telegram_webhook, name="telegram_webhook"),
    path("vk/<int:bot_id>/", views.vk_callback, name="vk_callback"),
]

console_patterns = [
    path("", console_views.channel_list, name="list"),
    path("telegram/", console_views.link_telegram, name="link_telegram"),
    path("vk/", console_views.link_vk, name="link_vk"),
    path("<int:pk>/unlink/", console_views.unlink, name="unlink"),
    path("deliveries/<int:pk>/retry/", views.retry, name="retry"),
]

demo_patterns = [
    path("telegram-api/<path:path>", demo_views.telegram_api, name="demo_telegram_api"),
    path("vk-api/method/<str:method>", demo_views.vk_api, name="demo_vk_api"),
]
