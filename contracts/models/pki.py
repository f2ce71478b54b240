from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningCertificate(models.Model):
    """An organisation's signing certificate, issued by the platform's certificate authority
    (contracts/pki.py). The private key is kept only encrypted, with the passphrase from the
    environment (PKI_KEY_PASSPHRASE), so a copy of the database alone cannot sign."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="signing_certificates",
    )
    serial_number = models.CharField(_("serial number"), max_length=64, unique=True)
    certificate_pem = models.TextField(_("certificate"))
    private_key_pem = models.TextField(editable=False)  # PKCS#8, encrypted
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")
        ordering = ["organisation", "-not_before"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.serial_number}"
