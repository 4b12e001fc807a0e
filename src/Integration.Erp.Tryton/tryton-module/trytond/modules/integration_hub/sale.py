from sql.operators import Equal

from trytond.model import Exclude
from trytond.pool import PoolMeta

# The hub's natural keys (orders bc-{store}-{order id}, refunds bc-{store}-{order id}-refund-{refund id}) start so;
# references typed by Tryton users are left free.
HUB_KEY_PATTERN = 'bc-%'


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # One sale per hub key and company, enforced by PostgreSQL (an exclusion constraint with "=" is a partial
        # unique index): of two concurrent creators the second waits for the first's commit and is refused, whatever
        # the order of their ids. Tryton reports it as a UserError carrying this message.
        cls._sql_constraints.append(
            ('integration_hub_reference_excl',
                Exclude(t, (t.company, Equal), (t.reference, Equal),
                    where=t.reference.like(HUB_KEY_PATTERN)),
                'integration_hub.msg_sale_reference_unique'))
