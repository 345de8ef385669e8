from petitions.models.petitions import Petition, PetitionStatus, Signature, SignatureAlert

__all__ = ["Petition", "PetitionStatus", "Signature", "SignatureAlert"]
