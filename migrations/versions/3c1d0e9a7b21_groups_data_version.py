"""groups count the commits that changed their shared data (data_version)

Revision ID: 3c1d0e9a7b21
Revises: 05197dd1ae91
Create Date: 2026-11-29 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1d0e9a7b21'
down_revision = '05197dd1ae91'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_column('data_version')
