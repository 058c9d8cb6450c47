"""delivery routes, their stops, route runs with drivers and the drivers' delivered marks

Revision ID: b7d1e5a9c321
Revises: e1f2a3b4c5d6
Create Date: 2026-12-03 19:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d1e5a9c321'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'delivery_routes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('departure_time', sa.Time(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_routes')),
    )
    op.create_table(
        'route_stops',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('route_id', sa.Integer(), nullable=False),
        sa.Column('pickup_point_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['route_id'], ['delivery_routes.id'], name=op.f('fk_route_stops_route_id_delivery_routes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['pickup_point_id'], ['pickup_points.id'],
                                name=op.f('fk_route_stops_pickup_point_id_pickup_points')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_route_stops')),
        sa.UniqueConstraint('route_id', 'position', name=op.f('uq_route_stops_route_id_position')),
    )
    op.create_index('ux_route_stops_active_point', 'route_stops', ['pickup_point_id'], unique=True,
                    postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))
    op.create_table(
        'route_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('route_id', sa.Integer(), nullable=False),
        sa.Column('delivery_date', sa.Date(), nullable=False),
        sa.Column('driver_id', sa.Integer(), nullable=True),
        sa.Column('departure_time', sa.Time(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['route_id'], ['delivery_routes.id'], name=op.f('fk_route_runs_route_id_delivery_routes')),
        sa.ForeignKeyConstraint(['driver_id'], ['accounts.id'], name=op.f('fk_route_runs_driver_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_route_runs')),
        sa.UniqueConstraint('route_id', 'delivery_date', name=op.f('uq_route_runs_route_id_delivery_date')),
    )
    op.create_index('ix_route_runs_driver_date', 'route_runs', ['driver_id', 'delivery_date'])
    op.create_index(op.f('ix_route_runs_delivery_date'), 'route_runs', ['delivery_date'])
    op.create_table(
        'route_run_stops',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('pickup_point_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_by_id', sa.Integer(), nullable=True),
        sa.Column('photo_key', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['route_runs.id'], name=op.f('fk_route_run_stops_run_id_route_runs')),
        sa.ForeignKeyConstraint(['pickup_point_id'], ['pickup_points.id'],
                                name=op.f('fk_route_run_stops_pickup_point_id_pickup_points')),
        sa.ForeignKeyConstraint(['delivered_by_id'], ['accounts.id'],
                                name=op.f('fk_route_run_stops_delivered_by_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_route_run_stops')),
        sa.UniqueConstraint('run_id', 'pickup_point_id', name=op.f('uq_route_run_stops_run_id_pickup_point_id')),
    )
    op.create_index(op.f('ix_route_run_stops_run_id'), 'route_run_stops', ['run_id'])
    op.create_index(op.f('ix_route_run_stops_pickup_point_id'), 'route_run_stops', ['pickup_point_id'])


def downgrade():
    op.drop_table('route_run_stops')
    op.drop_table('route_runs')
    op.drop_index('ux_route_stops_active_point', table_name='route_stops')
    op.drop_table('route_stops')
    op.drop_table('delivery_routes')
