"""The first privacy notice of the contact form, in the four languages, so the form works from
the first start; editors publish later versions as snippets (a new version, never an edit)."""

from django.db import migrations
from django.utils import timezone

TITLE = {
    "zh_hans": "隐私声明",
    "en": "Privacy notice",
    "de": "Datenschutzhinweis",
    "ru": "Уведомление о конфиденциальности",
}
TEXT = {
    "zh_hans": (
        "我们使用您在本表单中填写的信息（姓名、单位、国家、电子邮件、电话、留言及所选内容）"
        "仅用于答复您的咨询，并将其转交负责相关园区的工作人员。我们不会将其用于其他目的，也不会出售或公开。"
        "数据保存期满后将被匿名化。您可以随时要求查阅或删除您的数据，请在来信中注明您的编号。"
    ),
    "en": (
        "We use what you enter in this form (name, organisation, country, e-mail, phone, message and your choices) "
        "only to answer your inquiry, and pass it to the staff of the zone concerned. We do not use it for anything "
        "else, sell it or publish it. It is anonymised when the retention period ends. You may ask at any time to "
        "see or erase your data; please quote your reference."
    ),
    "de": (
        "Wir verwenden Ihre Angaben in diesem Formular (Name, Organisation, Land, E-Mail, Telefon, Nachricht und "
        "Ihre Auswahl) nur, um Ihre Anfrage zu beantworten, und leiten sie an die Mitarbeiter der betreffenden Zone "
        "weiter. Wir verwenden sie für nichts anderes, verkaufen und veröffentlichen sie nicht. Nach Ablauf der "
        "Aufbewahrungsfrist werden sie anonymisiert. Sie können jederzeit Auskunft oder Löschung verlangen; bitte "
        "nennen Sie dabei Ihre Vorgangsnummer."
    ),
    "ru": (
        "Мы используем сведения из этой формы (имя, организация, страна, электронная почта, телефон, сообщение и "
        "выбранные вами пункты) только для ответа на ваш запрос и передаём их сотрудникам соответствующей зоны. "
        "Мы не используем их ни для чего другого, не продаём и не публикуем. По истечении срока хранения они "
        "обезличиваются. Вы в любой момент можете запросить доступ к своим данным или их удаление, указав номер "
        "обращения."
    ),
}


def create(apps, schema_editor):
    PrivacyNotice = apps.get_model("inquiries", "PrivacyNotice")
    if PrivacyNotice.objects.exists():
        return
    fields = {f"title_{code}": value for code, value in TITLE.items()}
    fields.update({f"text_{code}": value for code, value in TEXT.items()})
    PrivacyNotice.objects.create(
        version=1, title=TITLE["zh_hans"], text=TEXT["zh_hans"], published_at=timezone.now(), **fields
    )


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
