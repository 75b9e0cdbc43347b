"""print sheets made in the background (sheet_files)

Revision ID: 188c8dc8d90e
Revises: 3c1d0e9a7b21
Create Date: 2026-11-30 20:15:41.745244

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '188c8dc8d90e'
down_revision = '3c1d0e9a7b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sheet_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=10), nullable=False),
    sa.Column('large', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('running', 'ready', 'failed', name='sheetstatus', native_enum=False, length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('data_version', sa.Integer(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_sheet_files_requested_by_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['pairing_runs.id'], name=op.f('fk_sheet_files_run_id_pairing_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_files'))
    )
    with op.batch_alter_table('sheet_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheet_files_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sheet_files_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sheet_files_run_id'), ['run_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sheet_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sheet_files_run_id'))
        batch_op.drop_index(batch_op.f('ix_sheet_files_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_sheet_files_created_at'))

    op.drop_table('sheet_files')
