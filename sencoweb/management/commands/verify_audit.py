"""Walk the audit chain and report the first row whose hash does not follow from the one before."""

from django.core.management.base import BaseCommand, CommandError

from sencoweb.models import GENESIS_HASH, AuditChainHead, AuditEvent


def verify_chain() -> tuple[int, str | None]:
    """Return (rows checked, problem or None)."""
    previous = GENESIS_HASH
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            return (
                count,
                f"Row {event.pk} does not follow row before it: a row was removed or altered.",
            )
        if event.compute_hash() != event.row_hash:
            return count, f"Row {event.pk} was altered after it was written."
        previous = event.row_hash
        count += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        return count, "The newest rows of the audit trail have been removed."
    return count, None


class Command(BaseCommand):
    help = "Check the audit trail's hash chain is unbroken (evidence that no row was edited or deleted)."

    def handle(self, *args, **options):
        count, problem = verify_chain()
        if problem:
            raise CommandError(f"Audit trail tampered with after {count} good rows. {problem}")
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {count} rows verified."))
