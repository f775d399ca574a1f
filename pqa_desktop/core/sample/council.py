"""The fictional council of the demo and the tests: its name, its teams by service area and the names its
people are drawn from. The sample returns (demo) and the sample system exports (exports) both
draw on it, and neither imports the other's.
"""
from __future__ import annotations

LA_NAME = "Anytown Council"
FIRST_NAMES = [
    "Aisha", "Ben", "Cara", "Dev", "Ellie", "Femi", "Grace", "Harvey", "Imogen", "Jack", "Kiran", "Lena",
    "Marcus", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Sanjay", "Tess", "Umar", "Vicky", "Wes", "Yasmin",
    "Zoe", "Callum", "Hollie", "Joel", "Martha", "Reece", "Sophie", "Tariq", "Bethan", "Declan", "Farah",
    "Gareth", "Heidi", "Isaac", "Jodie", "Kofi",
]
SURNAMES = [
    "Ashworth", "Brennan", "Chowdhury", "Dalton", "Eccles", "Fairclough", "Gill", "Hartley", "Iqbal", "Jessop",
    "Kershaw", "Lomax", "Mahmood", "Nuttall", "Okafor", "Pilling", "Quayle", "Ramsden", "Sutcliffe", "Thornley",
    "Upton", "Varley", "Whitworth", "Yates", "Holden", "Barlow", "Crompton", "Duckworth", "Entwistle", "Howarth",
]
TEAMS = {
    "IRT": ["IRT 1", "IRT 2", "IRT 3"],
    "CST": ["CST North", "CST South"],
    "CwD": ["CwD Team"],
    "Family Safeguarding": ["FS East", "FS West"],
    "CASS": ["CASS 1", "CASS 2"],
    "Leaving Care": ["Leaving Care"],
}
