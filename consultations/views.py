from django.shortcuts import render


def consultation_list(request):
    return render(request, "consultations/list.html", {})
