from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("inbox/", views.index, name="index"),
    path("drafts/", views.drafts, name="drafts"),
    path("approvals/", views.approvals, name="approvals"),
    path("entity/", views.entity_switch, name="entity_switch"),
    path("new/", views.letter_new, name="new"),
    path("paper/new/", views.paper_letter_new, name="paper_new"),
    path("outgoing/", views.outgoing, name="outgoing"),
    path("incoming/", views.incoming, name="incoming"),
    path("registers/print/", views.register_print, name="register_print"),
    path("registers/printed/<uuid:pk>/", views.register_export, name="register_export"),
    path("referrals/", views.referrals, name="referrals"),
    path("overdue/", views.overdue, name="overdue"),
    path("letters/<uuid:pk>/", views.letter_detail, name="letter"),
    path("letters/<uuid:pk>/edit/", views.letter_edit, name="edit"),
    path("letters/<uuid:pk>/pdf", views.letter_pdf, name="letter_pdf"),
    path("letters/<uuid:pk>/submit/", views.letter_submit, name="submit"),
    path("letters/<uuid:pk>/attach/", views.letter_attach, name="attach"),
    path("letters/<uuid:pk>/return/", views.letter_return, name="return"),
    path("letters/<uuid:pk>/approve/", views.letter_approve, name="approve"),
    path("letters/<uuid:pk>/dispatch/", views.letter_dispatch, name="dispatch"),
    path("attachments/<uuid:pk>/", views.attachment_download, name="attachment"),
    path("copies/<int:pk>/paper-delivered/", views.recipient_paper_delivered, name="paper_delivered"),
    path("copies/<int:pk>/register/", views.recipient_register, name="register"),
    path("copies/<int:pk>/refer/", views.recipient_refer, name="refer"),
    path("copies/<int:pk>/reply/", views.recipient_reply, name="reply"),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
]
