"""The pure parts of the money cycle: no database, no Flask (hypothesis property tests in tests/budgets).

``posting`` the earned-grant rule, ``final_grant`` the final decision's rule, ``interest`` and ``base_rates``
§ 49a VwVfG interest, ``forecast`` the spending forecast, ``rates`` flat rates (Pauschalen).
"""
