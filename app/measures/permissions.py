"""Who may do what with measures and forwarding contracts (see workflow.py for the states)."""

from ..auth.models import Role
from ..auth.permissions import STAFF, declare

MEASURES_READ = declare("measures.read", STAFF | {Role.KOMMUNE},
                        "Maßnahmenkatalog lesen (Kommune: eigene; Ministerium: landesweit suchen)")
MEASURES_EDIT = declare("measures.edit", {Role.KOMMUNE},
                        "Eigene Maßnahmen anlegen, bearbeiten, starten, abschließen, absagen, importieren")
FORWARDING_READ = declare("measures.forwarding.read", STAFF | {Role.KOMMUNE, Role.ORGANISATION},
                          "Weiterleitungsverträge lesen (Kommune: eigene; Träger: an ihn gerichtete)")
FORWARDING_MANAGE = declare("measures.forwarding.manage", {Role.KOMMUNE},
                            "Weiterleitung beantragen, zurückziehen, Zahlungen an Träger buchen, Nachweise prüfen")
FORWARDING_DECIDE = declare("measures.forwarding.decide", {Role.PROGRAMME_ADMIN},
                            "Der Weiterleitung zustimmen oder sie versagen; Kursträger einstufen")
FORWARDING_PROOF = declare("measures.forwarding.proof", {Role.ORGANISATION},
                           "Als Träger den Nachweis der eigenen Ausgaben einreichen")
PROVIDER_CONTACTS = declare("measures.provider.contacts", {Role.PROGRAMME_ADMIN, Role.ORGANISATION},
                            "Ansprechpersonen eines Kursträgers pflegen (Träger: nur die eigenen)")
