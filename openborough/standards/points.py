"""The standards services are assessed against (reference data, numbered as published).

LGDSS: the Local Government Digital Service Standard (LocalGov Digital, April
2016), 15 points. Labels 10–15 are openborough's short labels for the
published points. GDS: the government Service Standard (14 points, 2019).
"""

from __future__ import annotations

LGDSS = "lgdss-15"
GDS = "gds-14"

STANDARD_NAMES = {
    LGDSS: "Local Government Digital Service Standard (15 points)",
    GDS: "GDS Service Standard (14 points)",
}

POINTS: dict[str, tuple[tuple[int, str, str], ...]] = {
    LGDSS: (
        (1, "Understand user needs", "Research shows who the users are and how that shapes the design."),
        (2, "Have a multidisciplinary team", "A sustainable team, led by a senior manager who can take decisions."),
        (3, "Use agile methods", "Agile, iterative and user-centred methods."),
        (4, "Iterate and improve regularly", "Capacity, resources and technical flexibility to keep improving."),
        (5, "Evaluate appropriate tools and systems", "How it is built, hosted, operated and measured; reuse first."),
        (6, "Evaluate user data and information", "Data held, security level, legal duties, privacy risks."),
        (7, "Use open standards", "Open standards, existing authoritative data and registers; open code and data."),
        (8, "Test the end-to-end service", "In an environment like live, across common browsers and devices."),
        (9, "Make a plan for being offline", "A tested plan for the service being unavailable."),
        (10, "Simple enough to succeed first time", "Users complete it first time without help."),
        (11, "Consistent with government user experience", "Common platforms and Service Manual patterns."),
        (12, "Encourage digital take-up", "Maximise use of the digital channel, with assisted digital support."),
        (13, "Performance indicators", "KPIs defined, reusing existing indicators, published where appropriate."),
        (14, "Ongoing research and feedback", "Continuous user research, usability testing and performance data."),
        (15, "Test with the responsible member or manager", "The accountable member or manager tests it end to end."),
    ),
    GDS: (
        (1, "Understand users and their needs", ""),
        (2, "Solve a whole problem for users", ""),
        (3, "Provide a joined up experience across all channels", ""),
        (4, "Make the service simple to use", ""),
        (5, "Make sure everyone can use the service", ""),
        (6, "Have a multidisciplinary team", ""),
        (7, "Use agile ways of working", ""),
        (8, "Iterate and improve frequently", ""),
        (9, "Create a secure service which protects users' privacy", ""),
        (10, "Define what success looks like and publish performance data", ""),
        (11, "Choose the right tools and technology", ""),
        (12, "Make new source code open", ""),
        (13, "Use and contribute to open standards, common components and patterns", ""),
        (14, "Operate a reliable service", ""),
    ),
}


def point_numbers(standard: str) -> list[int]:
    return [n for n, _, _ in POINTS[standard]]


def point_label(standard: str, number: int) -> str:
    for n, label, _ in POINTS[standard]:
        if n == number:
            return label
    raise KeyError(f"{standard} has no point {number}")
