"""Branch domain: one branch's month as codes and numbers (CONTRACT §2, §3).

Tiers, maintainers, the five KPIs 保争挖抢培, watch lists, data quality, the plan-month actions
(visits, greetings, forum, salons), the branch plan as one model, the network ranking rule."""
