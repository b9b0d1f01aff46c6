"""Views of the findings register: findings, actions, "Mina åtgärder" and the dashboard."""
