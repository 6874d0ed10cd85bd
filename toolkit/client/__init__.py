"""Client domain: one household's proposal as codes and numbers (CONTRACT §4).

Household ratios, goals, suitability (never above the client's risk level), allocation, advice,
and the proposal as one model. May use the branch's tier rule, nothing else of the branch."""
