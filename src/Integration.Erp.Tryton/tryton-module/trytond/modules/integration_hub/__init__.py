# The integration hub's Tryton module: the database guarantees the hub's connector relies on.
# See docs/erp-tryton.md ("Deploying the connector").
from trytond.pool import Pool

from . import sale


def register():
    Pool.register(
        sale.Sale,
        module='integration_hub', type_='model')
